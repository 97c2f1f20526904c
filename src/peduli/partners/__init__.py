"""Community partners (Mitra Indonesia Mandiri), referrals to agencies and delegations."""
