"""Who may do what, by role: the one home of every role set the domains check.

A domain never writes ``frozenset({Role.…})`` itself; it imports the set named for what it
guards from here, so who may declare a crisis or search the registry reads in one place
(and ``auth.scopes`` gives each role its default API token scopes from the same sets).
Which post's rows a role reaches is ``auth.policy.post_scope``; each domain's ``access.py``
combines the two for its rows (which case, which emergency, which person).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    HQ_ANALYST = "hq_analyst"
    HQ_ADMIN = "hq_admin"
    PARTNER = "partner"
    AGENCY = "agency"


# --- the groups ----------------------------------------------------------------------------
STAFF_ROLES = frozenset(
    {Role.OFFICER, Role.SUPERVISOR, Role.HQ_ANALYST, Role.HQ_ADMIN, Role.PARTNER, Role.AGENCY}
)
# Bound to one representation (post): they reach the people and cases of its jurisdiction.
POST_BOUND_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})
# Headquarters: national figures; analysts never see an individual record.
HQ_ROLES = frozenset({Role.HQ_ADMIN, Role.HQ_ANALYST})
HQ_ADMINS = frozenset({Role.HQ_ADMIN})
# Work on individual people's records and cases (their post's; HQ admins all).
RECORD_WORKERS = POST_BOUND_ROLES | HQ_ADMINS
# Follow lists and figures: crises, emergencies, statistics.
FOLLOWERS = POST_BOUND_ROLES | HQ_ROLES
# Decide for a post (or, HQ admins, for all): crises, broadcasts, duty rosters.
POST_LEADERS = frozenset({Role.SUPERVISOR}) | HQ_ADMINS
PARTNERS = frozenset({Role.PARTNER})
AGENCIES = frozenset({Role.AGENCY})
# Read the audit log: supervisors (their post) and HQ admins.
AUDIT_READERS = frozenset({Role.SUPERVISOR}) | HQ_ADMINS

# --- registry ------------------------------------------------------------------------------
SELF_REPORTERS = RECORD_WORKERS | {Role.CITIZEN}
REGISTRY_SEARCHERS = RECORD_WORKERS
WORK_QUEUE_READERS = RECORD_WORKERS  # self-reports to verify, possible duplicates
DUPLICATE_REVIEWERS = RECORD_WORKERS
# Undo a merge (a wrong one, or one that kept the wrong record): a post's supervisor or HQ.
MERGE_UNDOERS = POST_LEADERS
PERSON_VERIFIERS = RECORD_WORKERS
IDENTITY_EDITORS = RECORD_WORKERS  # a person of their post (the policy's write check)
IDENTITY_CLAIM_DECIDERS = RECORD_WORKERS  # claims to a record of their post
CORRECTION_HANDLERS = RECORD_WORKERS  # citizens' correction requests of their post

# --- documents -----------------------------------------------------------------------------
DOCUMENT_REVOKERS = RECORD_WORKERS  # documents issued by their post (HQ admins: any)

# --- cases ---------------------------------------------------------------------------------
CASE_WORKERS = RECORD_WORKERS
CASE_OPENERS = RECORD_WORKERS | AGENCIES  # agencies only refer new cases
STATS_READERS = FOLLOWERS
NATIONAL_STATS_READERS = HQ_ROLES  # others see their own post's figures
# Publish a month's open-data tables (the worker does it as the system after month end).
OPEN_DATA_PUBLISHERS = HQ_ADMINS

# --- partners ------------------------------------------------------------------------------
PARTNER_MANAGERS = RECORD_WORKERS

# --- emergencies ---------------------------------------------------------------------------
EMERGENCY_READERS = FOLLOWERS
EMERGENCY_RESPONDERS = RECORD_WORKERS
ROSTER_EDITORS = POST_LEADERS
ON_DUTY_ROLES = POST_BOUND_ROLES  # who can be put on a duty roster
# Who sits on the HQ duty desk (the emergencies no post acknowledged), and who is alerted
# in its stead when nobody is on it: they act on any post's emergency.
HQ_DESK_ROLES = HQ_ADMINS

# --- crises --------------------------------------------------------------------------------
CRISIS_DECLARERS = POST_LEADERS
CRISIS_VIEWERS = FOLLOWERS
BROADCASTERS = POST_LEADERS
EVACUATION_LIST_READERS = RECORD_WORKERS
# Call or visit the people still silent after a broadcast's reminder, and record the outcome.
CRISIS_REACHERS = RECORD_WORKERS
CRISIS_HELP_READERS = RECORD_WORKERS  # the board's list of who asked for help, by name

# --- conversations -------------------------------------------------------------------------
# Chat with citizens: the post's staff answer their inbox; partners only the conversations
# of cases delegated to them; linking a conversation to a person or a case is record work.
CONVERSATION_READERS = RECORD_WORKERS | PARTNERS
CONVERSATION_LINKERS = RECORD_WORKERS

# --- consular services --------------------------------------------------------------------
# Work applications of their post (HQ admins: any post); report volumes and SLA compliance.
SERVICE_HANDLERS = RECORD_WORKERS
SERVICE_REPORT_READERS = FOLLOWERS  # HQ analysts the national report, others their post's
CATALOGUE_EDITORS = HQ_ADMINS  # one catalogue and one standard: HQ publishes each version
LOCAL_NOTE_EDITORS = POST_LEADERS  # a post may only add its local notes
# Appointments: the post's staff receive them (check in, no-show, call the next ticket);
# its supervisor (HQ admins: any post) sets capacity, opening hours and blackout days.
APPOINTMENT_DESK = RECORD_WORKERS
APPOINTMENT_PLANNERS = POST_LEADERS

# --- overseas elections -------------------------------------------------------------------
# HQ declares an election day and generates every post's list; a post's staff sit on its
# committee (PPLN): they read the list, record elector facts, resolve the checks and set
# voting methods; the post's leader (or HQ) sets up the committee and its polling places
# and fixes the list.
ELECTION_ORGANISERS = HQ_ADMINS
VOTER_LIST_KEEPERS = RECORD_WORKERS
VOTER_LIST_FIXERS = POST_LEADERS

# --- the outbox ----------------------------------------------------------------------------
DEAD_LETTER_READERS = HQ_ROLES
DEAD_LETTER_RETRIERS = HQ_ADMINS

# --- outside agencies ----------------------------------------------------------------------
# Who queues and reads a person's checks at the agencies, who reads
# the message log of every exchange with the agencies.
VERIFICATION_REQUESTERS = RECORD_WORKERS
AGENCY_LOG_READERS = HQ_ADMINS
# --- agencies: immigration and BP2MI --------------------------------------------------------
TRAVEL_RECORD_READERS = RECORD_WORKERS  # passport status, crossings, placements of their post
# --- agencies ------------------------------------------------------------------------------
# Import an agency's export (BP2MI placements) into the registry, and read its reports: the
# rows reach people of every post, so it is national work.
AGENCY_IMPORTERS = HQ_ADMINS

# Partner systems' webhook subscriptions (HQ), the bilateral exchange (a case's
# workers, through the case).
WEBHOOK_MANAGERS = HQ_ADMINS
