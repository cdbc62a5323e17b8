"""The bounded bad-input suite (`make fuzz`): OpenAPI fuzzing and hostile sender bodies."""
