"""Songs section."""
