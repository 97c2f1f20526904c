from tests.agencies.exports import data_dir  # noqa: F401
