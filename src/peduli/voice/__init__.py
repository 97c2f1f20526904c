"""The 112-style voice line: calls answered by an IVR, ending in the emergency intake.

A domain of its own rather than part of ``emergency`` or ``notify``: a call has its own
states and clocks (ringing, in the menu, connected to the duty officer, ended, or silent and
closed by a job), is built from several platform events rather than one, and leaves a
callback task when nobody spoke to the caller. What the caller asked for ends in the
emergency intake like every other channel (``emergency.voice_calls``): the same case,
roster, alerts and escalation as an SOS. The telephony platform sits behind a port
(``ports.TelephonyPlatform``); the Twilio-style webhook adapter is ``twiml``.
"""
