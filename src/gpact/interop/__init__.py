"""Formats the field already uses, in and out: Hugging Face cards and eval results, Inspect,
HELM and Every Eval Ever logs, codecarbon energy, Croissant datasets, received documentation
packages. Each reader turns a file into gpact's own records and says what it skipped."""
