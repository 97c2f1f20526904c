"""API shapes of reference data: representations with their jurisdiction, and countries."""

from __future__ import annotations

from pydantic import BaseModel, Field

from peduli.reference.countries import Country
from peduli.reference.representations import (
    JurisdictionRule,
    Representation,
    RepresentationKind,
)


class JurisdictionRuleRead(BaseModel):
    """Where in one country a post serves citizens."""

    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    default: bool = Field(description="The post serves the whole country unless another rule fits.")
    subdivisions: list[str] = Field(description="ISO 3166-2 codes this post serves.")
    cities: list[str] = Field(
        description="Cities this post serves, inside `within`/`subdivisions`."
    )
    within: str | None = None

    @classmethod
    def of(cls, rule: JurisdictionRule) -> JurisdictionRuleRead:
        """Build from a domain rule."""
        return cls(
            country=rule.country,
            default=rule.is_default,
            subdivisions=list(rule.subdivisions),
            cities=list(rule.cities),
            within=rule.within,
        )


class RepresentationRead(BaseModel):
    """One representation abroad, as the public directory shows it."""

    code: str = Field(examples=["kbri-seoul"])
    name: str = Field(examples=["KBRI Seoul"])
    kind: RepresentationKind
    country: str = Field(description="ISO 3166-1 alpha-2 code of the host country.")
    city: str
    latitude: float
    longitude: float
    timezone: str = Field(examples=["Asia/Seoul"])
    hotline: str | None = Field(description="E.164; null where not yet known.")
    hotline_verified: bool = Field(description="The cited source says the line answers 24 hours.")
    hotline_source: str | None = Field(
        default=None, description="Address of the public source of the hotline, if any."
    )
    is_default_for_country: bool
    countries: list[str] = Field(description="Countries where this post serves citizens.")
    jurisdiction: list[JurisdictionRuleRead]

    @classmethod
    def of(cls, post: Representation) -> RepresentationRead:
        """Build from a domain representation."""
        return cls(
            code=post.code,
            name=post.name,
            kind=post.kind,
            country=post.country,
            city=post.city,
            latitude=post.latitude,
            longitude=post.longitude,
            timezone=post.timezone,
            hotline=post.hotline,
            hotline_verified=post.hotline_verified,
            hotline_source=post.hotline_source,
            is_default_for_country=post.is_default_for_country,
            countries=post.countries,
            jurisdiction=[JurisdictionRuleRead.of(rule) for rule in post.jurisdiction],
        )


class CountryRead(BaseModel):
    """One ISO 3166-1 country."""

    code: str = Field(examples=["KR"])
    name: str = Field(examples=["Korea, Republic of"])
    name_id: str = Field(description="Indonesian name where translated.")

    @classmethod
    def of(cls, country: Country) -> CountryRead:
        """Build from a domain country."""
        return cls(code=country.code, name=country.name, name_id=country.name_id)
