"""MARC-in-JSON (as pymarc.marcjson)."""

from ._formats import record_from_dict
from .reader import JSONReader


class JSONHandler:
    """Turns MARC-in-JSON objects into records; override `process_record`."""

    def __init__(self):
        self.records = []

    def element(self, element_dict, name=None):
        self.process_record(record_from_dict(element_dict))

    def elements(self, dict_list):
        if not isinstance(dict_list, list):
            dict_list = [dict_list]
        for rec in dict_list:
            self.element(rec)
        return self.records

    def process_record(self, record):
        self.records.append(record)


def parse_json_to_array(json_file):
    """All records of a MARC-in-JSON file (path, file object or text)."""
    return JSONHandler().elements(JSONReader(json_file).records)


__all__ = ["JSONHandler", "parse_json_to_array"]
