"""Trainer adapters: TRL (:mod:`.trl`), verl (:mod:`.verl`) and OpenRLHF (:mod:`.openrlhf`).

Each module imports its trainer lazily, so ``import rewardweighting`` never needs torch, TRL or verl.
"""
