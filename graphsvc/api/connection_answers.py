"""The answers of the connections endpoints, as documented in the OpenAPI file."""

from __future__ import annotations

from marshmallow import Schema, fields

__all__ = ["BrokersAnswer", "CommunitiesAnswer", "ContactsAnswer", "CoverageAnswer", "NeighbourhoodAnswer",
           "PathsAnswer"]


class PathNode(Schema):
    id = fields.String()
    type = fields.String()
    name = fields.String()
    example = fields.Boolean(metadata={"description": "True when the node is example data (absent otherwise)."})


class PathRelationship(Schema):
    id = fields.String()
    type = fields.String()
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()


class Path(Schema):
    hops = fields.Integer()
    nodes = fields.List(fields.Nested(PathNode))
    relationships = fields.List(fields.Nested(PathRelationship), metadata={
        "description": "One per hop, in its stored direction."})


class PathsAnswer(Schema):
    from_ = fields.Nested(PathNode, data_key="from", attribute="from")
    to = fields.Nested(PathNode)
    k = fields.Integer()
    max_hops = fields.Integer()
    types = fields.List(fields.String(), metadata={"description": "The relationship types followed."})
    types_at_ends = fields.List(fields.String(), metadata={
        "description": "Types followed only on a hop that touches `from` or `to` (by default: what work is about)."})
    paths = fields.List(fields.Nested(Path), metadata={"description": "Shortest first; [] if none within max_hops."})


class NeighbourNode(PathNode):
    depth = fields.Integer(metadata={"description": "Hops from the centre."})


class NeighbourhoodAnswer(Schema):
    center = fields.Nested(PathNode)
    depth = fields.Integer()
    nodes = fields.List(fields.Nested(NeighbourNode))
    relationships = fields.List(fields.Nested(PathRelationship))
    truncated = fields.Boolean(metadata={"description": "True when more nodes were within reach than the limit."})


class Broker(PathNode):
    score = fields.Float(metadata={"description": "Normalised betweenness (0..1)."})


class BrokersAnswer(Schema):
    brokers = fields.List(fields.Nested(Broker))
    sampled = fields.Boolean(metadata={"description": "True when estimated from a sample of source nodes."})
    samples = fields.Integer(metadata={"description": "Source nodes used (every node when not sampled)."})
    nodes = fields.Integer()
    as_of_seq = fields.Integer(metadata={"description": "The change-log seq the ranking was computed at."})


class CommunityTheme(PathNode):
    count = fields.Integer()


class CommunitySector(Schema):
    sector = fields.String()
    count = fields.Integer()


class Community(Schema):
    id = fields.Integer()
    label = fields.String()
    size = fields.Integer()
    types = fields.Dict(keys=fields.String(), values=fields.Integer())
    themes = fields.List(fields.Nested(CommunityTheme))
    sectors = fields.List(fields.Nested(CommunitySector))
    members = fields.List(fields.Nested(PathNode))


class CommunitiesAnswer(Schema):
    communities = fields.List(fields.Nested(Community))
    total = fields.Integer(metadata={"description": "Communities of at least min_size."})
    method = fields.String()
    seed = fields.Integer()
    nodes = fields.Integer()
    as_of_seq = fields.Integer()


class CoverageAxis(Schema):
    id = fields.String()
    name = fields.String()
    example = fields.Boolean(metadata={"description": "True when the node is example data (absent otherwise)."})


class CoverageCell(Schema):
    row = fields.String()
    col = fields.String()


class CoverageAnswer(Schema):
    rows = fields.List(fields.Nested(CoverageAxis))
    cols = fields.List(fields.Nested(CoverageAxis))
    cells = fields.List(fields.List(fields.Integer()), metadata={"description": "cells[i][j]: rows[i] x cols[j]."})
    empty = fields.List(fields.Nested(CoverageCell))
    status = fields.String()
    initiatives = fields.Integer(metadata={"description": "Initiatives of that status considered."})


class ContactReason(Schema):
    relationship = fields.String()
    work = fields.Nested(PathNode)
    via = fields.Nested(PathNode, metadata={"description": "The group, when active through membership."})


class Contact(Schema):
    person = fields.Nested(PathNode)
    hops = fields.Integer()
    active = fields.List(fields.Nested(ContactReason))
    path = fields.Nested(Path)


class ContactsAnswer(Schema):
    person = fields.Nested(PathNode)
    theme = fields.Nested(PathNode)
    contacts = fields.List(fields.Nested(Contact))
    active_people = fields.Integer(metadata={"description": "Everyone active on the theme, however far."})
    max_hops = fields.Integer()
    types = fields.List(fields.String(), metadata={"description": "The relationship types the paths follow."})
