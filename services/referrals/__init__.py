"""Referrals and alumni: the alumni roster and invitations, referring, the referral pipeline,
bonuses, points and badges, the programme's figures, and outreach to alumni."""
