"""Generated grpcio stubs for rewardweighting.v1 (scripts/generate-stubs.sh). Do not edit."""
