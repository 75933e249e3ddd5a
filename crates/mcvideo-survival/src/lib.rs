//! Statistics III: Kaplan-Meier, log-rank and Cox proportional hazards.
