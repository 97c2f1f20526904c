"""Overseas elections: election days, PPLN committees, polling stations and mobile boxes, the
potential voters (DP4LN) and the voter list (DPTLN) of each post, its checks and exports."""
