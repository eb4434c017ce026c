"""Evaluations: seeded Monte Carlo measurements of a stage against truth (`bastion eval ...`)."""
