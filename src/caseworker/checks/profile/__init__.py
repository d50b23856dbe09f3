"""Profile tools: completeness and consistency of the applicant's self-attested data."""
