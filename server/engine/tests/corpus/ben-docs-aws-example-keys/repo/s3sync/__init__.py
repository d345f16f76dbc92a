import boto3


def sync(folder, bucket):
    s3 = boto3.client('s3')
    return s3.list_objects_v2(Bucket=bucket)
