"""Solid and hazardous waste transfers: manifests (转移联单), vehicle trajectories (REST and JT/T 808),
the transfer warnings and the producer's ledger (台账)."""
