"""Pure core: records, units, frames, site, clock, errors, parameter objects, ballistic physics."""
