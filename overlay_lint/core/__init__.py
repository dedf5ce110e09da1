"""The YAML core every later step builds on: located errors, the value tree with origins,
reading YAML with positions and writing it as kubectl does."""
