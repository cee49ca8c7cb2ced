"""The review web application: clerks confirm or correct routings, services mark items handled."""
