"""Composition root: builds the bot, its web app and its channels from Settings."""
