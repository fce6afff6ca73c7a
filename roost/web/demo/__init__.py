"""The demo's story: a few weeks of Demo Coffee Co.'s social life, seeded once."""
