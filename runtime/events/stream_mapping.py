"""How Lambda hands the table's stream to the relay: the decided settings, defined once for the
stack's event source mapping and the local API's stream pump. Change them only with a measured
reason."""

# What the relay reads of each change: both images, to tell what changed.
STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"
BATCH_SIZE = 100
BATCHING_WINDOW_SECONDS = 1
RETRY_ATTEMPTS = 3
MAXIMUM_RECORD_AGE_SECONDS = 3600
BISECT_BATCH_ON_FUNCTION_ERROR = True
PARALLELIZATION_FACTOR = 1
