"""Business logic: keyword-only functions that take ``session=``, add and flush, never commit."""
