"""moto server for tgforge's end-to-end harness.

Plain `moto.server.main` with one addition: a hosted zone created with the comment
`tgforge-e2e-zone-id:<ID>` gets that ID. A tgforge spec names a pre-existing Route 53 zone by
its ID (`route53_zone_id`); AWS never lets a caller choose a zone ID, so without this the
zone the generated tree expects could not exist in the emulator. moto's own custom-ID
mechanism (moto.utilities.id_generator) does the work.

A certificate imported with the tag `tgforge-e2e-arn` = ARN gets that ARN: a spec names
pre-existing ACM certificates (`certificate_arn`, `cloudfront_certificate_arn`) by ARN, and
ACM never lets a caller choose one either.

Usage: python e2e/moto_server.py -H 127.0.0.1 -p PORT
"""

from moto.acm.models import AWSCertificateManagerBackend
from moto.route53.models import HostedZoneIdentifier, Route53Backend
from moto.server import main
from moto.utilities.id_generator import moto_id_manager

COMMENT_PREFIX = "tgforge-e2e-zone-id:"
_create_hosted_zone = Route53Backend.create_hosted_zone


def create_hosted_zone(self, name, private_zone, caller_reference=None, vpcid=None,
                       vpcregion=None, comment=None, delegation_set_id=None):
    if comment and comment.startswith(COMMENT_PREFIX):
        identifier = HostedZoneIdentifier(self.account_id, name, delegation_set_id)
        moto_id_manager.set_custom_id(identifier, comment[len(COMMENT_PREFIX):])
    return _create_hosted_zone(self, name, private_zone, caller_reference, vpcid,
                               vpcregion, comment, delegation_set_id)


Route53Backend.create_hosted_zone = create_hosted_zone

ARN_TAG = "tgforge-e2e-arn"
_import_certificate = AWSCertificateManagerBackend.import_certificate


def import_certificate(self, certificate, private_key, chain, arn, tags):
    wanted = next((t.get("Value") for t in tags or [] if t.get("Key") == ARN_TAG), None)
    new_arn = _import_certificate(self, certificate, private_key, chain, arn, tags)
    if arn is None and wanted:
        bundle = self._certificates.pop(new_arn)
        bundle.arn = wanted
        self._certificates[wanted] = bundle
        return wanted
    return new_arn


AWSCertificateManagerBackend.import_certificate = import_certificate

if __name__ == "__main__":
    main()
