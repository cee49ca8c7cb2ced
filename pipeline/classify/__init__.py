"""Competence classification: features, training, model files, prediction, evaluation."""
