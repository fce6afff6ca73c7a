"""Roost: self-hosted social media management for teams."""
