"""The crisis day under load: locust users, the driver that runs them against the production
layout while killing its processes, and the checks of what was acknowledged (docs/load-test.md).
"""
