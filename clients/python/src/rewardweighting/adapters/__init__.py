"""Trainer adapters: TRL (:mod:`.trl`), verl (:mod:`.verl`), ms-swift (:mod:`.ms_swift`), NeMo Gym / NeMo-RL
(:mod:`.nemo`), and the HTTP reward shim (:mod:`.shim`) with the OpenRLHF (:mod:`.openrlhf`) and slime
(:mod:`.slime`) protocols.

Each module imports its trainer lazily, so ``import rewardweighting`` never needs torch, TRL, verl, ms-swift or
NeMo.
"""
