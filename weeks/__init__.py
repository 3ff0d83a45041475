"""Your work: one package per week, one stub module per exercise."""
