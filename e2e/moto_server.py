"""moto server for tgforge's end-to-end harness.

Plain `moto.server.main` with one addition: a hosted zone created with the comment
`tgforge-e2e-zone-id:<ID>` gets that ID. A tgforge spec names a pre-existing Route 53 zone by
its ID (`route53_zone_id`); AWS never lets a caller choose a zone ID, so without this the
zone the generated tree expects could not exist in the emulator. moto's own custom-ID
mechanism (moto.utilities.id_generator) does the work.

A certificate imported with the tag `tgforge-e2e-arn` = ARN gets that ARN: a spec names
pre-existing ACM certificates (`certificate_arn`, `cloudfront_certificate_arn`) by ARN, and
ACM never lets a caller choose one either.

Application Auto Scaling tags: moto 5.2.5 implements RegisterScalableTarget but not
ListTagsForResource, TagResource or UntagResource (its log: "NotImplementedError: The
list_tags_for_resource action has not been implemented"). The AWS provider reads a scalable
target's tags after every create and refresh, so without them no ECS service with target
tracking could be applied. The shim keeps the tags given at registration (and by TagResource)
per target ARN, as AWS does; it adds no behaviour AWS lacks.

Usage: python e2e/moto_server.py -H 127.0.0.1 -p PORT
"""

import json

from moto.acm.models import AWSCertificateManagerBackend
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
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

# Application Auto Scaling tags (see the module docstring).
_TAGS = {}  # (account, region, ARN) -> {key: value}
_register_scalable_target = ApplicationAutoScalingResponse.register_scalable_target
_deregister_scalable_target = ApplicationAutoScalingResponse.deregister_scalable_target


def _tag_key(response, arn):
    return (response.current_account, response.region, arn)


def _target_arn(response):
    backend = response.applicationautoscaling_backend
    dimension = response._get_param("ScalableDimension")
    resource_id = response._get_param("ResourceId")
    target = backend.targets.get(dimension, {}).get(resource_id)
    return target.arn if target else None


def register_scalable_target(self):
    body = _register_scalable_target(self)
    arn = json.loads(body)["ScalableTargetARN"]
    tags = self._get_param("Tags")
    if tags:
        _TAGS.setdefault(_tag_key(self, arn), {}).update(tags)
    return body


def deregister_scalable_target(self):
    arn = _target_arn(self)
    body = _deregister_scalable_target(self)
    if arn:
        _TAGS.pop(_tag_key(self, arn), None)
    return body


def list_tags_for_resource(self):
    arn = self._get_param("ResourceARN")
    return json.dumps({"Tags": _TAGS.get(_tag_key(self, arn), {})})


def tag_resource(self):
    arn = self._get_param("ResourceARN")
    _TAGS.setdefault(_tag_key(self, arn), {}).update(self._get_param("Tags") or {})
    return json.dumps({})


def untag_resource(self):
    tags = _TAGS.get(_tag_key(self, self._get_param("ResourceARN")), {})
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return json.dumps({})


ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target
ApplicationAutoScalingResponse.deregister_scalable_target = deregister_scalable_target
ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource
ApplicationAutoScalingResponse.tag_resource = tag_resource
ApplicationAutoScalingResponse.untag_resource = untag_resource

if __name__ == "__main__":
    main()
