"""The pure policy core: answers in, checked endpoint policies out. Imports neither textual nor boto3."""
