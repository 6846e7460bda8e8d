"""Human labels for the internal values documents show (no ``audio_speech`` in a document).

Why here: the profile and record keep short machine values; every renderer and builder that
puts one of them in front of a reader goes through these tables.
"""

from __future__ import annotations

MODALITY_LABELS: dict[str, str] = {
    "text": "text", "code": "code", "audio_speech": "audio (speech)", "audio": "audio",
    "image": "images", "video": "video", "music": "music", "other": "other",
}
CHANNEL_LABELS: dict[str, str] = {
    "api": "API", "download": "download", "hub": "model hub", "library": "software library",
    "app": "app", "cloud": "cloud platform", "on_premise": "on-premise installation",
    "integrated_system": "integrated in an AI system", "physical_copy": "physical copy",
}
# profile modalities → the template's modality rows (code is text; speech and music are audio)
TEMPLATE_MODALITY: dict[str, str] = {
    "text": "text", "code": "text", "audio_speech": "audio", "music": "audio",
    "image": "image", "video": "video", "other": "other",
}


def modality_label(value: str) -> str:
    return MODALITY_LABELS.get(value, value.replace("_", " "))


def channel_label(value: str) -> str:
    return CHANNEL_LABELS.get(value, value.replace("_", " "))


# ISO 639-1 names; the first 24 are the official languages of the EU
EU_LANGUAGES: dict[str, str] = {
    "bg": "Bulgarian", "hr": "Croatian", "cs": "Czech", "da": "Danish", "nl": "Dutch",
    "en": "English", "et": "Estonian", "fi": "Finnish", "fr": "French", "de": "German",
    "el": "Greek", "hu": "Hungarian", "ga": "Irish", "it": "Italian", "lv": "Latvian",
    "lt": "Lithuanian", "mt": "Maltese", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "sk": "Slovak", "sl": "Slovenian", "es": "Spanish", "sv": "Swedish",
}
LANGUAGE_NAMES: dict[str, str] = {
    **EU_LANGUAGES, "ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
    "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "hi": "Hindi", "no": "Norwegian",
    "nb": "Norwegian Bokmål", "is": "Icelandic", "ca": "Catalan", "eu": "Basque",
    "gl": "Galician", "sr": "Serbian", "bs": "Bosnian", "sq": "Albanian", "mk": "Macedonian",
    "he": "Hebrew", "fa": "Persian", "id": "Indonesian", "vi": "Vietnamese", "th": "Thai",
}


def language_label(code: str) -> str:
    """'fr' → 'French'; anything not a known code is shown as written."""
    return LANGUAGE_NAMES.get(code.strip().lower().split("-")[0], code)
