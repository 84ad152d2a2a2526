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
- EC2 security group rules that reference another group or a prefix list: their description
  (moto reads a rule's description only from a CIDR range, so such rules re-plan with
  "+ description").
- ElastiCache Memcached clusters: their configuration endpoint and cache nodes (moto returns
  neither, so `cluster_address` is null and the module's `host:port` output cannot be built).
- ElastiCache replication groups: their member clusters exist as cache clusters (the provider
  reads the primary's with DescribeCacheClusters; moto 404s), and DeleteReplicationGroup
  completes (moto leaves the group `deleting` for ever, so destroy would wait out its
  timeout; AWS removes it after a few minutes). The same for DeleteCacheCluster.
- ElastiCache DeleteCacheSubnetGroup (moto: "NotImplementedError: The
  delete_cache_subnet_group action has not been implemented", a 500 the provider retries until
  its timeout): the group is removed, or CacheSubnetGroupInUse while a cluster uses it.
- EFS PutBackupPolicy (moto: "NotImplementedError: The put_backup_policy action has not been
  implemented", a 500 the provider retries for ever): the policy is stored and read back by
  moto's own DescribeBackupPolicy, in its final state (ENABLED or DISABLED; AWS passes
  through ENABLING/DISABLING first). Likewise DeleteFileSystemPolicy (moto: "NotImplementedError:
  The delete_file_system_policy action has not been implemented"): the policy is removed.
- ElastiCache clusters: `SecurityGroups`, and `PreferredAvailabilityZone: Multiple` for a
  cross-AZ Memcached cluster (what the provider reads `az_mode` from); replication groups get
  one member cluster per `NumCacheClusters`, each carrying the group's security groups,
  windows and minor-version setting (the provider reads them from the primary).
- RDS Aurora clusters: the Data API (`HttpEndpointEnabled`) on provisioned/Serverless v2
  Aurora PostgreSQL, which AWS supports since 2023 (moto accepts it only on Serverless v1);
  no `ScalingConfigurationInfo` unless the cluster is Serverless v1.
- CodeBuild projects: `concurrentBuildLimit`; and a `NO_SOURCE` (or `CODEPIPELINE`) project
  needs no source location, as in AWS (moto: "InvalidInputException: Project source location
  is required" for every source type).
- EC2 launch templates: the template's own tags (TagSpecifications of type
  `launch-template` in CreateLaunchTemplate) stay off the template data, where moto copies
  them and the provider then reads a tag specification nobody wrote.
- Auto Scaling policies: `Enabled` (default true) and no empty predictive configuration on a
  target-tracking policy.
- SQS queues: `RedrivePolicy` as compact JSON, as AWS returns it (moto re-serialises it with
  spaces after `:` and `,`, which the provider reads as a change).
- ECS services: `enableECSManagedTags`, `healthCheckGracePeriodSeconds` and
  `availabilityZoneRebalancing` as given at creation or update.
- RDS DeleteDBCluster removes the cluster's automated snapshots (`rds:CLUSTER-...`) unless
  `DeleteAutomatedBackups` is false, as AWS does (its default is true, and so is the provider's
  `delete_automated_backups`); moto removes them for DB instances but keeps them for clusters,
  so every destroyed Aurora cluster would leave one behind.

CloudFront (managed cache and origin request policies, response headers policies, fields moto
drops from distributions): see e2e/moto_shims/cloudfront.py.

Usage: python e2e/moto_server.py -H 127.0.0.1 -p PORT
"""

import inspect
import json

from moto.acm.models import AWSCertificateManagerBackend
from moto.autoscaling.responses import AutoScalingResponse
from moto.codebuild import responses as codebuild_responses
from moto.codebuild.responses import CodeBuildResponse
from moto.ec2.responses.launch_templates import LaunchTemplates as LaunchTemplatesResponse
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ecs.models import Service as EcsService
from moto.efs.models import FileSystem as EfsFileSystem
from moto.efs.responses import EFSResponse
from moto.core.responses import EmptyResult
from moto.elasticache.exceptions import CacheSubnetGroupNotFound, ElastiCacheException
from moto.elasticache.models import CacheCluster, ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse
from moto.ecs.responses import EC2ContainerServiceResponse as EcsResponse
from moto.rds.models import DBCluster as RdsCluster
from moto.rds.models import DBInstance
from moto.rds.responses import RDSResponse
from moto.route53.models import HostedZoneIdentifier, Route53Backend
from moto.server import main
from moto.sqs.models import Queue as SqsQueue
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

# Security group rules keep the description of a referenced-group or prefix-list pair (see
# the docstring).
_security_group_rule_init = SecurityGroupRule.__init__


def security_group_rule_init(self, *args, **kwargs):
    _security_group_rule_init(self, *args, **kwargs)
    prefix_list = kwargs.get("prefix_list_id", args[7] if len(args) > 7 else None)
    self.prefix_list_description = (prefix_list or {}).get("Description")


SecurityGroupRule.__init__ = security_group_rule_init
SecurityGroupRule.description = property(
    lambda self: self.ip_range.get("Description")
    or self.source_group.get("Description")
    or self.prefix_list_description
)

# Memcached clusters have a configuration endpoint and one endpoint per node (see the
# docstring), named like AWS names them (ID.xxxxxx.cfg.REGION.cache.amazonaws.com).
_cache_cluster_init = CacheCluster.__init__


def cache_cluster_init(self, *args, **kwargs):
    _cache_cluster_init(self, *args, **kwargs)
    # What the provider reads `az_mode` from (see the docstring).
    if kwargs.get("az_mode") == "cross-az":
        self.preferred_availability_zone = "Multiple"
    if self.engine != "memcached":
        return
    region = self.arn.split(":")[3]
    suffix = f"abc123.{region}.cache.amazonaws.com"
    self.configuration_endpoint = {
        "address": f"{self.cache_cluster_id}.{suffix.replace('.', '.cfg.', 1)}",
        "port": self.port,
    }
    self.cache_nodes = [
        {
            "cache_node_id": f"{n:04d}",
            "cache_node_status": "available",
            "endpoint": {"address": f"{self.cache_cluster_id}.{n:04d}.{suffix}", "port": self.port},
            "customer_availability_zone": self.preferred_availability_zone or f"{region}a",
        }
        for n in range(1, self.num_cache_nodes + 1)
    ]


CacheCluster.__init__ = cache_cluster_init

# Replication groups: member clusters that exist, deletion that completes (see the docstring).
_create_replication_group = ElastiCacheBackend.create_replication_group
_delete_replication_group = ElastiCacheBackend.delete_replication_group


def create_replication_group(self, replication_group_id, *args, **kwargs):
    group = _create_replication_group(self, replication_group_id, *args, **kwargs)
    wanted = kwargs.get("num_cache_clusters") or 0
    if group.cluster_mode != "enabled":
        for n in range(len(group.member_clusters) + 1, wanted + 1):
            group.member_clusters.append(f"{replication_group_id}-{n:03d}")
    for member in group.member_clusters:
        if member in self.cache_clusters:
            continue
        fields = dict.fromkeys(inspect.signature(_cache_cluster_init).parameters)
        del fields["self"]
        fields.update(
            account_id=self.account_id,
            region_name=self.region_name,
            cache_cluster_id=member,
            cache_node_type=group.cache_node_type,
            replication_group_id=replication_group_id,
            num_cache_nodes=1,
            engine=group.engine,
            engine_version=group.engine_version,
            cache_parameter_group_name=group.cache_parameter_group_name,
            cache_subnet_group_name=group.cache_subnet_group_name,
            transit_encryption_enabled=group.transit_encryption_enabled,
            port=group.port,
            security_group_ids=group.security_group_ids,
            log_delivery_configurations=[],
        )
        fields.update(
            preferred_maintenance_window=group.preferred_maintenance_window,
            auto_minor_version_upgrade=group.auto_minor_version_upgrade in (True, "true"),
            snapshot_retention_limit=group.snapshot_retention_limit,
            snapshot_window=group.snapshot_window,
        )
        cluster = CacheCluster(**fields)
        cluster.at_rest_encryption_enabled = group.at_rest_encryption_enabled
        self.cache_clusters[member] = cluster
    return group


def delete_replication_group(self, replication_group_id, retain_primary_cluster):
    group = _delete_replication_group(self, replication_group_id, retain_primary_cluster)
    for member in list(group.member_clusters):
        self.cache_clusters.pop(member, None)
    del self.replication_groups[replication_group_id]
    return group


_delete_cache_cluster = ElastiCacheBackend.delete_cache_cluster


def delete_cache_cluster(self, cache_cluster_id):
    cluster = _delete_cache_cluster(self, cache_cluster_id)
    del self.cache_clusters[cache_cluster_id]
    return cluster


ElastiCacheBackend.create_replication_group = create_replication_group
ElastiCacheBackend.delete_replication_group = delete_replication_group
ElastiCacheBackend.delete_cache_cluster = delete_cache_cluster

# EFS backup policies (see the docstring).
def put_backup_policy(self):
    file_system_id = self._get_param("FileSystemId")
    status = (self._get_param("BackupPolicy") or {}).get("Status", "DISABLED")
    self.efs_backend.file_systems_by_id[file_system_id].backup_status = status
    return json.dumps({"BackupPolicy": {"Status": status}}), {"Content-Type": "application/json"}


EFSResponse.put_backup_policy = put_backup_policy


def delete_file_system_policy(self):
    file_system_id = self._get_param("FileSystemId")
    self.efs_backend.file_systems_by_id[file_system_id].file_system_policy = None
    return "{}", {"Content-Type": "application/json"}


EFSResponse.delete_file_system_policy = delete_file_system_policy
_backup_policy = EfsFileSystem.backup_policy.fget
EfsFileSystem.backup_policy = property(
    lambda self: {"Status": self.backup_status}
    if getattr(self, "backup_status", None)
    else _backup_policy(self)
)

# ElastiCache cluster fields (see the docstring).
CacheCluster.security_groups = property(
    lambda self: [{"security_group_id": g, "status": "active"} for g in self.security_group_ids]
)


# Aurora Data API and scaling configuration (see the docstring).
_http_endpoint_setter = RdsCluster.enable_http_endpoint.fset


def set_enable_http_endpoint(self, val):
    _http_endpoint_setter(self, val)
    if val is not None and self.engine == "aurora-postgresql" and self.engine_mode == "provisioned":
        self._enable_http_endpoint = val


RdsCluster.enable_http_endpoint = RdsCluster.enable_http_endpoint.setter(set_enable_http_endpoint)
_scaling_configuration_info = RdsCluster.scaling_configuration_info.fget
RdsCluster.scaling_configuration_info = property(
    lambda self: _scaling_configuration_info(self) if self.engine_mode == "serverless" else None
)


# CodeBuild concurrentBuildLimit (see the docstring).
_create_project = CodeBuildResponse.create_project


def create_project(self):
    result = _create_project(self)
    limit = self._get_param("concurrentBuildLimit")
    if limit is not None:
        project = self.codebuild_backend.codebuild_projects[self._get_param("name")]
        project.project_metadata["concurrentBuildLimit"] = limit
    return result


CodeBuildResponse.create_project = create_project
_validate_source = codebuild_responses._validate_required_params_source


def validate_source(source):
    if source.get("type") in ("NO_SOURCE", "CODEPIPELINE") and not source.get("location"):
        source = dict(source, location="(none)")
    _validate_source(source)


codebuild_responses._validate_required_params_source = validate_source


# Launch templates keep their own tags off the template data (see the docstring).
_create_launch_template = LaunchTemplatesResponse.create_launch_template


def create_launch_template(self):
    result = _create_launch_template(self)
    template = self.ec2_backend.get_launch_template_by_name(self._get_param("LaunchTemplateName"))
    for version in template.versions:
        specs = version.data.get("TagSpecifications")
        if specs:
            version.data["TagSpecifications"] = [
                spec for spec in specs if spec.get("ResourceType") != "launch-template"
            ]
            if not version.data["TagSpecifications"]:
                del version.data["TagSpecifications"]
    return result


LaunchTemplatesResponse.create_launch_template = create_launch_template


# Auto Scaling policies: Enabled, no empty predictive configuration (see the docstring).
_put_scaling_policy = AutoScalingResponse.put_scaling_policy


def put_scaling_policy(self):
    result = _put_scaling_policy(self)
    params = self._get_params()
    backend = self.autoscaling_backend
    policy = backend.policies[params.get("PolicyName")]
    enabled = params.get("Enabled", True)
    policy.enabled = enabled not in (False, "false")
    if not policy.predictive_scaling_configuration:
        policy.predictive_scaling_configuration = None
    return result


AutoScalingResponse.put_scaling_policy = put_scaling_policy

# SQS redrive policies read back compact (see the docstring).
_queue_attributes = SqsQueue.attributes.fget


def queue_attributes(self):
    result = _queue_attributes(self)
    if self.redrive_policy:
        result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
    return result


SqsQueue.attributes = property(queue_attributes)

# ElastiCache subnet groups can be deleted (see the docstring).
class CacheSubnetGroupInUse(ElastiCacheException):
    code = "CacheSubnetGroupInUse"


def delete_cache_subnet_group(self):
    backend = self.elasticache_backend
    name = self._get_param("CacheSubnetGroupName")
    if name not in backend.cache_subnet_groups:
        raise CacheSubnetGroupNotFound(name)
    users = [c for c in backend.cache_clusters.values() if c.cache_subnet_group_name == name]
    users += [g for g in backend.replication_groups.values() if g.cache_subnet_group_name == name]
    if users:
        raise CacheSubnetGroupInUse(f"Cache subnet group {name} is currently in use.")
    del backend.cache_subnet_groups[name]
    return EmptyResult()


ElastiCacheResponse.delete_cache_subnet_group = delete_cache_subnet_group


# Aurora automated snapshots go with their cluster (see the docstring).
_delete_db_cluster = RDSResponse.delete_db_cluster


def delete_db_cluster(self):
    cluster_id = self.params.get("DBClusterIdentifier")
    keep_automated = str(self.params.get("DeleteAutomatedBackups", True)).lower() == "false"
    result = _delete_db_cluster(self)
    if not keep_automated:
        snapshots = self.backend.cluster_snapshots
        for name, snapshot in list(snapshots.items()):
            if (
                snapshot.snapshot_type == "automated"
                and snapshot.cluster.db_cluster_identifier == cluster_id
            ):
                del snapshots[name]
    return result


RDSResponse.delete_db_cluster = delete_db_cluster

if __name__ == "__main__":
    main()
