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

ECS services: moto runs no containers. A service it creates reports 0 running tasks (or the
fixed MOTO_ECS_SERVICE_RUNNING, whatever the service's desired count) and its deployment stays
IN_PROGRESS, so an apply that waits for a steady state (`wait_for_steady_state`, which the
generated Fargate module sets) could never finish. The shim reports a new service's desired
tasks as running and its deployment COMPLETED, which is what AWS reports once the tasks start;
moto's own UpdateService already does the same for a changed desired count.

Fields moto accepts but drops (each read back as AWS does, so a second plan shows no change):
- RDS DescribeDBParameters: every parameter set by ModifyDBParameterGroup comes back with
  `Source: user` (moto leaves Source out, and the provider keeps only user parameters, so each
  one re-plans as "+ parameter").
- RDS DB instances: Performance Insights (`PerformanceInsightsEnabled`, its retention period
  and KMS key) as given at creation or modification.
- EC2 security group rules that reference another group: their description (moto reads a
  rule's description only from a CIDR range, so such rules re-plan with "+ description").
- ECS services: `enableECSManagedTags`, `healthCheckGracePeriodSeconds` and
  `availabilityZoneRebalancing` as given at creation or update.

CloudFront (managed cache and origin request policies, response headers policies, fields moto
drops from distributions): see e2e/moto_shims/cloudfront.py.

Usage: python e2e/moto_server.py -H 127.0.0.1 -p PORT
"""

import json

from moto.acm.models import AWSCertificateManagerBackend
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ecs.models import Service as EcsService
from moto.ecs.responses import EC2ContainerServiceResponse as EcsResponse
from moto.rds.models import DBInstance
from moto.rds.responses import RDSResponse
from moto.route53.models import HostedZoneIdentifier, Route53Backend
from moto.server import main
from moto.utilities.id_generator import moto_id_manager

import moto_shims.cloudfront  # noqa: F401  (patches moto on import; see its docstring)

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

# ECS services report their desired tasks as running (see the module docstring).
_service_init = EcsService.__init__


def service_init(self, *args, **kwargs):
    _service_init(self, *args, **kwargs)
    desired = self.desired_count or 0
    self.running_count = desired
    self.pending_count = 0
    for deployment in self.deployments:
        deployment["runningCount"] = desired
        deployment["pendingCount"] = 0
        deployment["rolloutState"] = "COMPLETED"
        deployment["rolloutStateReason"] = f"ECS deployment {deployment['id']} completed."


EcsService.__init__ = service_init

# RDS parameters read back with their Source (see the module docstring).
_describe_db_parameters = RDSResponse.describe_db_parameters


def describe_db_parameters(self):
    result = _describe_db_parameters(self)
    parameters = [dict(p, Source=p.get("Source", "user")) for p in result.result["Parameters"]]
    result.result["Parameters"] = parameters
    return result


RDSResponse.describe_db_parameters = describe_db_parameters


# RDS Performance Insights kept (see the module docstring).
def _set_performance_insights(instance, kwargs):
    if "enable_performance_insights" in kwargs:
        enabled = bool(kwargs["enable_performance_insights"])
        instance.performance_insights_enabled = enabled
        retention = kwargs.get("performance_insights_retention_period")
        instance.performance_insights_retention_period = (retention or 7) if enabled else None
        instance.performance_insights_kms_key_id = (
            kwargs.get("performance_insights_kms_key_id") if enabled else None
        )


_db_instance_init = DBInstance.__init__
_db_instance_update = DBInstance.update


def db_instance_init(self, *args, **kwargs):
    _db_instance_init(self, *args, **kwargs)
    self.performance_insights_enabled = False
    _set_performance_insights(self, kwargs)


def db_instance_update(self, *args, **kwargs):
    _db_instance_update(self, *args, **kwargs)
    _set_performance_insights(self, kwargs)


DBInstance.__init__ = db_instance_init
DBInstance.update = db_instance_update


# ECS service fields kept (see the module docstring).
ECS_SERVICE_FIELDS = {
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
}


def _keep_service_fields(response, result):
    cluster = response._get_param("cluster", "default")
    name = response._get_param("serviceName") or response._get_param("service")
    service = response.ecs_backend._get_service(cluster, name.split("/")[-1])
    for param, attribute in ECS_SERVICE_FIELDS.items():
        value = response._get_param(param)
        if value is not None:
            setattr(service, attribute, value)
    return result


_create_service = EcsResponse.create_service
_update_service = EcsResponse.update_service
EcsResponse.create_service = lambda self: _keep_service_fields(self, _create_service(self))
EcsResponse.update_service = lambda self: _keep_service_fields(self, _update_service(self))

# Security group rules keep the description of a referenced-group pair (see the docstring).
SecurityGroupRule.description = property(
    lambda self: self.ip_range.get("Description") or self.source_group.get("Description")
)

if __name__ == "__main__":
    main()
