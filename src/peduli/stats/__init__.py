"""National statistics: live aggregates of citizens abroad, the dashboard and open data."""
