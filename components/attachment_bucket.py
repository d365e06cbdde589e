"""AttachmentBucket: the S3 bucket of the items' attachments, private and encrypted, with the
lifecycle their upload flow needs.

    client ──presigned POST──▶ attachments/pending/… ──(checked by the processor)──▶ attachments/ready/…
                                  │ left unchecked a day                                │ Intelligent-Tiering
                                  ▼                                                     ▼
                               expired                                         (versioned in prod:
                                                                                noncurrent versions expire)

- Block Public Access on all four settings and `BucketOwnerEnforced`: no ACL grants anything.
- SSE-S3 (AES-256, S3-managed keys): presigned uploads and downloads need no KMS grant, so the
  API's role keeps exactly put and get on the attachment prefixes; a KMS key would add
  `kms:GenerateDataKey`/`kms:Decrypt` to every signer and a KMS request to every transfer, for
  no reader that S3's own keys would not also stop (the bucket policy and IAM decide who reads).
- A bucket policy that denies every request not over TLS.
- Lifecycle: incomplete multipart uploads aborted after a day; uploads never checked (left under
  the pending prefix) expired after `pending_expiry_days`; checked files in Intelligent-Tiering;
  with versioning, noncurrent versions expired after `noncurrent_days` and lone delete markers
  removed.
- CORS for browser uploads and downloads from the allowed origins.
- Server access logs (given `access_logs`) to a log bucket of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import policies
from runtime.attachments.keys import PENDING_PREFIX, READY_PREFIX


@dataclass(frozen=True, kw_only=True)
class BucketVersioning:
    noncurrent_days: int = 30
    """Days a replaced or deleted version is kept (to undo a mistaken delete) before it expires."""

    def __post_init__(self) -> None:
        if self.noncurrent_days < 1:
            raise ValueError("noncurrent_days must be at least 1")


@dataclass(frozen=True, kw_only=True)
class AccessLogOptions:
    retention_days: int = 365
    """Days the access log objects are kept."""

    def __post_init__(self) -> None:
        if self.retention_days < 1:
            raise ValueError("retention_days must be at least 1")


@dataclass(frozen=True, kw_only=True)
class AttachmentBucketArgs:
    cors_allowed_origins: Sequence[str] = ()
    """Browser origins that may upload and download (empty: no CORS rule)."""
    versioning: BucketVersioning | None = None
    """None: unversioned (a deleted object is gone at once)."""
    access_logs: AccessLogOptions | None = None
    """None: no server access logs."""
    pending_expiry_days: int = 1
    """Days an upload left unchecked under the pending prefix is kept (S3 counts in whole days)."""
    cors_max_age_seconds: int = 3000
    force_destroy: bool = False
    """Let `pulumi destroy` delete a bucket that still holds objects (for throwaway stacks only)."""
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.pending_expiry_days < 1:
            raise ValueError("pending_expiry_days must be at least 1 (lifecycle rules count whole days)")
        if any(origin == "*" or origin.endswith("/") for origin in self.cors_allowed_origins):
            raise ValueError("CORS origins are explicit origins like https://app.example.com, without `*`")


class AttachmentBucket(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    log_bucket_name: pulumi.Output[str] | None

    def __init__(self, name: str, args: AttachmentBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("users-items:index:AttachmentBucket", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)

        bucket = self._create_private_bucket(name)
        versioning = self._create_versioning(bucket) if args.versioning else None
        self._create_lifecycle(bucket, versioning)
        if args.cors_allowed_origins:
            self._create_cors(bucket)
        log_bucket = self._create_access_logs(bucket, args.access_logs) if args.access_logs else None

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.log_bucket_name = log_bucket.bucket if log_bucket else None
        self.register_outputs(
            {"bucketName": self.bucket_name, "bucketArn": self.bucket_arn, "logBucketName": self.log_bucket_name}
        )

    def _create_private_bucket(self, name: str, *, extra_policy: bool = False) -> aws.s3.Bucket:
        """A bucket with public access blocked, owner-enforced objects, SSE-S3 and TLS only."""
        bucket = aws.s3.Bucket(name, force_destroy=self._args.force_destroy, tags=self._args.tags, opts=self._child)
        block = aws.s3.BucketPublicAccessBlock(
            name,
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=self._child,
        )
        aws.s3.BucketOwnershipControls(
            name,
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=self._child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=self._child,
        )
        if not extra_policy:
            aws.s3.BucketPolicy(
                name,
                bucket=bucket.id,
                policy=bucket.arn.apply(policies.tls_only_bucket_policy),
                # A bucket policy put while Block Public Access is being set can be refused.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[block]),
            )
        return bucket

    def _create_versioning(self, bucket: aws.s3.Bucket) -> aws.s3.BucketVersioning:
        return aws.s3.BucketVersioning(
            self._name,
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=self._child,
        )

    def _create_lifecycle(
        self, bucket: aws.s3.Bucket, versioning: aws.s3.BucketVersioning | None
    ) -> aws.s3.BucketLifecycleConfiguration:
        args = self._args
        rule = aws.s3.BucketLifecycleConfigurationRuleArgs
        rule_filter = aws.s3.BucketLifecycleConfigurationRuleFilterArgs
        rules = [
            rule(
                id="abort-incomplete-multipart-uploads",
                status="Enabled",
                filter=rule_filter(prefix=""),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=1
                ),
            ),
            rule(
                id="expire-unchecked-uploads",
                status="Enabled",
                filter=rule_filter(prefix=PENDING_PREFIX),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.pending_expiry_days),
            ),
            rule(
                id="ready-to-intelligent-tiering",
                status="Enabled",
                filter=rule_filter(prefix=READY_PREFIX),
                transitions=[
                    aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=0, storage_class="INTELLIGENT_TIERING")
                ],
            ),
        ]
        if args.versioning:
            rules.append(
                rule(
                    id="expire-noncurrent-versions",
                    status="Enabled",
                    filter=rule_filter(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=args.versioning.noncurrent_days
                    ),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True),
                )
            )
        return aws.s3.BucketLifecycleConfiguration(
            self._name,
            bucket=bucket.id,
            rules=rules,
            # Rules on noncurrent versions need versioning on first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning] if versioning else []),
        )

    def _create_cors(self, bucket: aws.s3.Bucket) -> aws.s3.BucketCorsConfiguration:
        return aws.s3.BucketCorsConfiguration(
            self._name,
            bucket=bucket.id,
            cors_rules=[
                aws.s3.BucketCorsConfigurationCorsRuleArgs(
                    # POST: the presigned upload form; GET: the presigned download.
                    allowed_methods=["GET", "POST"],
                    allowed_origins=list(self._args.cors_allowed_origins),
                    allowed_headers=["Content-Type"],
                    expose_headers=["ETag"],
                    max_age_seconds=self._args.cors_max_age_seconds,
                )
            ],
            opts=self._child,
        )

    def _create_access_logs(self, bucket: aws.s3.Bucket, options: AccessLogOptions) -> aws.s3.Bucket:
        """Server access logs, to a bucket of their own: S3's logging service writes them (best
        effort, within hours), for no charge but their storage."""
        label = f"{self._name}-access-logs"
        logs = self._create_private_bucket(label, extra_policy=True)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        aws.s3.BucketPolicy(
            label,
            bucket=logs.id,
            policy=pulumi.Output.all(logs.arn, bucket.arn, account).apply(
                lambda values: policies.access_log_bucket_policy(*values)
            ),
            opts=self._child,
        )
        aws.s3.BucketLifecycleConfiguration(
            label,
            bucket=logs.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=options.retention_days),
                )
            ],
            opts=self._child,
        )
        aws.s3.BucketLogging(
            self._name,
            bucket=bucket.id,
            target_bucket=logs.id,
            target_prefix="attachments/",
            opts=self._child,
        )
        return logs
