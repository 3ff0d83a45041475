"""Bug: publish_promotion publishes the bare version string instead of the agreed JSON object."""

import redis.asyncio as aioredis

from solutions.week6.pubsub_invalidation import *  # noqa: F403
from solutions.week6.pubsub_invalidation import __all__  # noqa: F401


async def publish_promotion(
    client: aioredis.Redis,
    version: str,
    *,
    channel: str = "rxvision:model-updates",
    key: str = "rxvision:model:champion",
) -> int:
    await client.set(key, version)
    return int(await client.publish(channel, version))
