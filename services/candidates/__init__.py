"""Candidates and questions: applying and following an application, the hiring stages as the
company names them, public questions and the recruiters' inbox, and AI-drafted answers."""
