"""The fault suite (`make fault`): the running system under kill -9 of each part."""
