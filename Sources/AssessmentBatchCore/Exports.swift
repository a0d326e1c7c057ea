// The JSON types are part of this library's API (PATCH bodies, reports, plans).
@_exported import StrictJSON
