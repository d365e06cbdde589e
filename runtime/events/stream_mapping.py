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
# The relay's timeout: room for a batch's PublishBatch calls when SNS is slow, besides the worst
# case of one call that it keeps in hand (runtime.events.batch starts no call it may not finish).
RELAY_TIMEOUT_SECONDS = 60
