"""Documents anyone can verify, even offline: signing keys, the trust list, issued documents
and their revocation. It sits below the registry, which issues the proof of self-report."""

VERIFY_PAGE = "/verifikasi"  # the public verify page, printed on every document
