"""API token scopes: their names, and which roles may hold each (from ``auth.roles``).

Every API route declares the one scope its token must carry (``api.deps.require_scope``);
a token holds only scopes its role may hold. Sessions (pages, the citizen's browser) carry
no scopes: the role sets alone decide for them.
"""

from __future__ import annotations

from peduli.auth.roles import (
    AGENCIES,
    AGENCY_IMPORTERS,
    AGENCY_LOG_READERS,
    AUDIT_READERS,
    CASE_OPENERS,
    CASE_WORKERS,
    CONVERSATION_READERS,
    CRISIS_DECLARERS,
    CRISIS_REACHERS,
    CRISIS_VIEWERS,
    DEAD_LETTER_READERS,
    DEAD_LETTER_RETRIERS,
    DOCUMENT_REVOKERS,
    EMERGENCY_READERS,
    EMERGENCY_RESPONDERS,
    HQ_ADMINS,
    IDENTITY_EDITORS,
    PARTNER_MANAGERS,
    PARTNERS,
    RECORD_WORKERS,
    ROSTER_EDITORS,
    SERVICE_HANDLERS,
    STAFF_ROLES,
    STATS_READERS,
    VERIFICATION_REQUESTERS,
    VOTER_LIST_KEEPERS,
    WEBHOOK_MANAGERS,
    Role,
)

REGISTRY_READ = "registry:read"
REGISTRY_WRITE = "registry:write"
REGISTRY_IDENTITY = "registry:identity"  # correcting a person's name, birth, sex and NIK
SELF_REPORTS_WRITE = "self-reports:write"
AUDIT_READ = "audit:read"
STATS_READ = "stats:read"
CASES_READ = "cases:read"
CASES_WRITE = "cases:write"
CASES_REFER = "cases:refer"  # agencies referring a new case through the API
# The partner registry (officers, HQ) and a partner's own delegated work under /partner.
PARTNERS_READ = "partners:read"
PARTNERS_WRITE = "partners:write"
CRISES_READ = "crises:read"  # crises, audience, board, CAP export, evacuation list
CRISES_WRITE = "crises:write"  # declare, import CAP, activate, close, broadcasts
CRISES_REACH = "crises:reach"  # record a call or visit to a person silent after the reminder
EMERGENCIES_READ = "emergencies:read"  # emergencies and duty rosters
EMERGENCIES_WRITE = "emergencies:write"  # hotline calls, acknowledging, roster shifts
CONVERSATIONS_READ = "conversations:read"  # the chat inbox and its threads
CONVERSATIONS_WRITE = "conversations:write"  # replies, linking to a person or a case
SERVICES_READ = "services:read"  # the application queue, one application, the report
SERVICES_WRITE = "services:write"  # decisions on applications
NOTIFY_READ = "notify:read"  # the outbox's dead letters
NOTIFY_WRITE = "notify:write"  # putting dead letters back in line
VERIFICATIONS_READ = "verifications:read"  # a person's checks at the agencies
VERIFICATIONS_WRITE = "verifications:write"  # queueing a check at an agency
AGENCY_LOG_READ = "agencies:log"  # the message log of every exchange with the agencies
DOCUMENTS_WRITE = "documents:write"  # revoking an issued document
IMPORTS_READ = "imports:read"  # agency exports' import reports
IMPORTS_WRITE = "imports:write"  # uploading an agency export (dry run or real)
WEBHOOKS_MANAGE = "webhooks:manage"  # partner systems' webhook subscriptions
ELECTIONS_READ = "elections:read"  # elections, a post's voter list, its checks and exports
ELECTIONS_WRITE = "elections:write"  # elections, lists, elector facts, checks, methods

CASE_SCOPES = frozenset({CASES_READ, CASES_WRITE, CASES_REFER})
PARTNER_SCOPES = frozenset({PARTNERS_READ, PARTNERS_WRITE})

# Which roles may hold each scope: the role sets that the services check, so a token never
# carries a scope its holder's role could not use.
SCOPE_HOLDERS: dict[str, frozenset[Role]] = {
    REGISTRY_READ: RECORD_WORKERS | AGENCIES,
    REGISTRY_WRITE: RECORD_WORKERS | AGENCIES,
    REGISTRY_IDENTITY: IDENTITY_EDITORS,
    SELF_REPORTS_WRITE: RECORD_WORKERS | PARTNERS,
    AUDIT_READ: AUDIT_READERS,
    STATS_READ: STATS_READERS,
    CASES_READ: CASE_WORKERS,
    CASES_WRITE: CASE_WORKERS,
    CASES_REFER: (CASE_OPENERS - CASE_WORKERS) | HQ_ADMINS,
    PARTNERS_READ: PARTNER_MANAGERS | PARTNERS,
    PARTNERS_WRITE: PARTNER_MANAGERS | PARTNERS,
    CRISES_READ: CRISIS_VIEWERS,
    CRISES_WRITE: CRISIS_DECLARERS,
    CRISES_REACH: CRISIS_REACHERS,
    EMERGENCIES_READ: EMERGENCY_READERS,
    EMERGENCIES_WRITE: EMERGENCY_RESPONDERS | ROSTER_EDITORS,
    CONVERSATIONS_READ: CONVERSATION_READERS,
    CONVERSATIONS_WRITE: CONVERSATION_READERS,
    SERVICES_READ: SERVICE_HANDLERS,
    SERVICES_WRITE: SERVICE_HANDLERS,
    NOTIFY_READ: DEAD_LETTER_READERS,
    DOCUMENTS_WRITE: DOCUMENT_REVOKERS,
    NOTIFY_WRITE: DEAD_LETTER_RETRIERS,
    VERIFICATIONS_READ: VERIFICATION_REQUESTERS,
    VERIFICATIONS_WRITE: VERIFICATION_REQUESTERS,
    AGENCY_LOG_READ: AGENCY_LOG_READERS,
    IMPORTS_READ: AGENCY_IMPORTERS,
    IMPORTS_WRITE: AGENCY_IMPORTERS,
    WEBHOOKS_MANAGE: WEBHOOK_MANAGERS,
    ELECTIONS_READ: VOTER_LIST_KEEPERS,
    ELECTIONS_WRITE: VOTER_LIST_KEEPERS,
}
SCOPES = frozenset(SCOPE_HOLDERS)

# What a token of each role may carry; a token created without requested scopes gets all.
ROLE_SCOPES: dict[Role, frozenset[str]] = {
    role: frozenset(scope for scope, holders in SCOPE_HOLDERS.items() if role in holders)
    for role in sorted(STAFF_ROLES)
}
