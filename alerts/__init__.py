"""When something is wrong: the warning rules, the lifecycle (warn, repeat, escalate, resolve),
maintenance windows. When a warning escalates is decided in ``alerts.policy``."""
