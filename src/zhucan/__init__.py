"""zhucan: meal assistance ordering and kitchen compliance for community elder canteens."""
