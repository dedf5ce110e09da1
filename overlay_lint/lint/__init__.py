"""The rule engine: discovery, config, rules, suppressions, reports."""
