"""Savings and hires: the hires, what hiring through the portal saved against headhunter fees
and job boards, the assumptions and running costs behind it, and the report as files."""
