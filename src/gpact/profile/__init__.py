"""The model profile (schema gpact/v1): what the assessment knows about a model and its provider."""

from gpact.profile.loader import (
    LoadedProfile,
    ProfileError,
    find_profiles,
    load_profile,
    parse_profile,
)
from gpact.profile.schema import Profile

__all__ = ["LoadedProfile", "Profile", "ProfileError", "find_profiles", "load_profile",
           "parse_profile"]
