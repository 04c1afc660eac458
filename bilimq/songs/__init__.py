"""Song names: parse lines, read list files, make safe file names."""
