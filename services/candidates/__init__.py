"""Candidates and questions: applying and following an application, public questions and the
recruiters' inbox, and AI-drafted answers."""
