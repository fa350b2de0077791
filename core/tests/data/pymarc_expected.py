"""pymarc 5.4.0 (to_unicode=False) on every .mrc here: per record, the 245 $a $b title
(bytes read as Latin-1) and the field count, or the exception name."""
import sys, json, glob, os, warnings, logging
logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")
# data/pymarc-5.4.0 is where scripts/fetch-loc.sh unpacks the sdist.
sys.path.insert(0, os.environ.get('PYMARC_SRC', os.path.join(os.path.dirname(__file__), '../../../data/pymarc-5.4.0')))
import pymarc
out = {}
for f in sorted(glob.glob(os.path.dirname(os.path.abspath(__file__)) + '/*.mrc')):
    name = os.path.basename(f)
    res = []
    with open(f, 'rb') as fh:
        reader = pymarc.MARCReader(fh, to_unicode=False)
        for rec in reader:
            if rec is None:
                res.append("ERR:" + type(reader.current_exception).__name__)
                continue
            t = None
            fl = rec.get_fields('245')
            if fl:
                fld = fl[0]
                a = [s.value for s in fld.subfields if s.code == 'a']
                b = [s.value for s in fld.subfields if s.code == 'b']
                if a and a[0]:
                    t = a[0].decode('latin-1')
                    if b and b[0]:
                        t += ' ' + b[0].decode('latin-1')
            res.append({"title": t, "nfields": len(rec.fields)})
    out[name] = res
json.dump(out, open(os.path.dirname(os.path.abspath(__file__)) + '/pymarc_expected.json', 'w'), indent=0)
for k, v in out.items():
    print(k, len(v), sum(1 for x in v if isinstance(x, str)))
